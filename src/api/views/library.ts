import { importIsOn, type LibraryState } from "../../application/library/library-indexer.js"
import { html, type SafeHtml } from "../html.js"

/** Whether finished files go into the library, and where; an off import says which setting is missing. */
export const libraryPanel = (s: LibraryState): SafeHtml => html`<section class="card" aria-labelledby="library-h">
  <h2 id="library-h">Library</h2>
  <div id="library-import">${!importIsOn(s)
    ? html`<p><strong>Import is off</strong>: finished files stay in slskd's downloads folder. Set ${
      [s.downloadsDir === null ? "SOULSPOT_SLSKD_DOWNLOADS_DIR" : null, s.libraryDir === null ? "SOULSPOT_LIBRARY_DIR" : null]
        .filter((x) => x !== null).join(" and ")} (or the Import settings) to import them into your library.</p>`
    : html`<p>Import is on: into <code>${s.libraryDir}</code>, ${s.indexed} file${s.indexed === 1 ? "" : "s"} in the index.</p>`}</div>
</section>`
