/** The folders without those inside another one of them: a scan of /music/A covers /music/A/B. */
export const outermost = (folders: ReadonlyArray<string>): ReadonlyArray<string> => {
  const clean = [...new Set(folders.map((f) => f.length > 1 ? f.replace(/\/+$/, "") : f))].sort()
  return clean.filter((f) => !clean.some((other) => other !== f && isInside(f, other)))
}

/** Whether `folder` is `parent` or lies below it (by whole path segments: /music2 is not in /music). */
export const isInside = (folder: string, parent: string): boolean => {
  const p = parent.length > 1 ? parent.replace(/\/+$/, "") : parent
  return folder === p || folder.startsWith(p.endsWith("/") ? p : `${p}/`)
}
