/** Markup that is already safe; only this module and `raw` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;", "`": "&#96;" }

export const escapeHtml = (s: string): string => s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)

type Value = SafeHtml | string | number | boolean | null | undefined | ReadonlyArray<Value>

const render = (v: Value): string => {
  if (v === null || v === undefined || v === false) return ""
  if (v instanceof SafeHtml) return v.value
  if (Array.isArray(v)) return v.map(render).join("")
  return escapeHtml(String(v))
}

/** Escapes every interpolation; nested `html` results and arrays of them pass through. */
export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<Value>): SafeHtml => {
  let out = strings[0] ?? ""
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "")
  })
  return new SafeHtml(out)
}

/** Raw markup, asked for by name: only for text we wrote ourselves. */
export const raw = (trusted: string): SafeHtml => new SafeHtml(trusted)

const compacted = new WeakMap<TemplateStringsArray, TemplateStringsArray>()

/**
 * `html` for markup repeated hundreds of times on a page (download rows): the line breaks and
 * indentation of the template itself are dropped (only between tags laid out by CSS, never in
 * values), which keeps the first page of a deep queue small.
 */
export const compactHtml = (strings: TemplateStringsArray, ...values: ReadonlyArray<Value>): SafeHtml => {
  let tight = compacted.get(strings)
  if (tight === undefined) {
    const parts = strings.map((s) => s.replace(/\s*\n\s*/g, ""))
    tight = Object.assign(parts, { raw: parts }) as unknown as TemplateStringsArray
    compacted.set(strings, tight)
  }
  return html(tight, ...values)
}
