/**
 * The list's text filter: every word typed must start a word of the title, artist or album.
 * Case and accents do not count ("bjork" finds Björk), as in the full-text index's tokenizer
 * (migrations/0020_big_queues.sql: unicode61, diacritics removed).
 */
export const filterWords = (text: string): ReadonlyArray<string> =>
  text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []

/** The same rule in memory, for the few rows that are not read through the index. */
export const matchesFilter = (fields: ReadonlyArray<string | null>, q: string): boolean => {
  const wanted = filterWords(q)
  const words = filterWords(fields.filter((f) => f !== null).join(" "))
  return wanted.every((w) => words.some((x) => x.startsWith(w)))
}
