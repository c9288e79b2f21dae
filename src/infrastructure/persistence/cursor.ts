import { Effect, Schema } from "effect"
import { InvalidCursor } from "../../domain/ports/DownloadRepository.js"
import { filterWords } from "../../domain/text-filter.js"

/**
 * Opaque page cursors: the sort key of the last row shown, as base64url JSON. A keyset rather
 * than an offset, so a page does not shift when rows before it change status or go away.
 * The first element names the list, so a cursor of one list is refused by the other.
 */
const cursorOf = <A, I>(key: Schema.Schema<A, I>) => Schema.compose(Schema.StringFromBase64Url, Schema.parseJson(key))

/** Active list: priority (desc), created_at, id. */
export const ActiveCursor = cursorOf(Schema.Tuple(Schema.Literal("a"), Schema.Int, Schema.String, Schema.String))
/** All downloads, newest first: created_at, id. */
export const ListCursor = cursorOf(Schema.Tuple(Schema.Literal("l"), Schema.String, Schema.String))

export const encodeCursor = <A>(codec: Schema.Schema<A, string>) => Schema.encodeSync(codec)

export const decodeCursor = <A>(codec: Schema.Schema<A, string>, cursor: string) =>
  Schema.decodeUnknown(codec)(cursor).pipe(Effect.mapError(() => new InvalidCursor()))

/**
 * The text filter as an FTS5 query: each word a quoted prefix (so results follow the typing,
 * and FTS syntax in the input is only text), all of them required.
 */
export const ftsQuery = (q: string | undefined): string | undefined => {
  const words = filterWords(q ?? "")
  return words.length === 0 ? undefined : words.slice(0, 16).map((w) => `"${w}"*`).join(" ")
}
