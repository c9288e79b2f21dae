import { HttpApiBuilder, HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { LibraryImport } from "../application/library/library-import.js"
import { SoulSpotApi } from "./api.js"
import { toDto } from "./dto.js"
import { asApiError, statusOf } from "./errors.js"
import { html } from "./html.js"
import { downloadRow } from "./views/rows.js"

/** POST /api/downloads/{id}/import and /reject. */
export const LibraryImportLive = HttpApiBuilder.group(SoulSpotApi, "libraryImport", (handlers) => Effect.gen(function*() {
  const importer = yield* LibraryImport
  return handlers
    .handle("importFile", ({ path }) => importer.retryOrAccept(path.id).pipe(
      Effect.map(toDto), Effect.catchTags({ DownloadNotFound: asApiError.DownloadNotFound, ImportConflict: asApiError.ImportConflict })))
    .handle("rejectFile", ({ path }) => importer.reject(path.id).pipe(
      Effect.map(toDto), Effect.catchTags({ DownloadNotFound: asApiError.DownloadNotFound, ImportConflict: asApiError.ImportConflict })))
}))

const page = (body: { readonly value: string }, status = 200) =>
  HttpServerResponse.html(body.value).pipe(HttpServerResponse.setStatus(status))

const rowAction = (act: "import" | "reject") => Effect.gen(function*() {
  const importer = yield* LibraryImport
  const { id } = yield* HttpLayerRouter.params
  const d = yield* (act === "import" ? importer.retryOrAccept(id ?? "") : importer.reject(id ?? ""))
  return page(downloadRow(d))
}).pipe(Effect.catchAll((e) => Effect.succeed(page(html`<p class="msg msg-error">${e.message}</p>`, statusOf(e)))))

/** The row's "Import anyway", "Retry import" and "Reject file" buttons. */
export const ImportPageRoutes = HttpLayerRouter.addAll([
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/import", rowAction("import")),
  HttpLayerRouter.route("POST", "/download-manager/downloads/:id/reject", rowAction("reject"))
])
