/**
 * A pure function of a string with its results kept in a bounded cache, for inputs that repeat
 * (folder and file names across peers, column names on every row). A full cache starts over.
 */
export const memoize = <A>(f: (key: string) => A, limit = 20_000): ((key: string) => A) => {
  const cache = new Map<string, A>()
  return (key) => {
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const value = f(key)
    if (cache.size >= limit) cache.clear()
    cache.set(key, value)
    return value
  }
}
