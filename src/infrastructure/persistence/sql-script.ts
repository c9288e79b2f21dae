/**
 * Splits a .sql file into single statements, because better-sqlite3 prepares one at a time.
 * Semicolons inside quotes, comments and BEGIN ... END bodies (triggers) do not split.
 */
export const splitStatements = (script: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  let current = ""
  let depth = 0
  let i = 0
  const flush = () => {
    const s = current.trim()
    if (s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, "").trim() !== "") out.push(s)
    current = ""
  }
  while (i < script.length) {
    const c = script[i]!
    const next = script[i + 1]
    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i)
      const stop = end === -1 ? script.length : end
      current += script.slice(i, stop)
      i = stop
      continue
    }
    if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2)
      const stop = end === -1 ? script.length : end + 2
      current += script.slice(i, stop)
      i = stop
      continue
    }
    if (c === "'" || c === "\"" || c === "`") {
      let j = i + 1
      while (j < script.length) {
        if (script[j] === c) {
          if (script[j + 1] === c) j += 2
          else break
        } else j++
      }
      current += script.slice(i, j + 1)
      i = j + 1
      continue
    }
    if (/[A-Za-z_]/.test(c) && (i === 0 || !/[A-Za-z0-9_]/.test(script[i - 1]!))) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(script.slice(i))![0]
      const upper = word.toUpperCase()
      if (upper === "BEGIN" || upper === "CASE") depth++
      else if (upper === "END" && depth > 0) depth--
      current += word
      i += word.length
      continue
    }
    if (c === ";" && depth === 0) {
      flush()
      i++
      continue
    }
    current += c
    i++
  }
  flush()
  return out
}
