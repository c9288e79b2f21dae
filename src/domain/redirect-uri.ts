/** Why a redirect URI cannot be used, or null. Spotify accepts https, or http on a loopback IP literal; never `localhost`. */
export const redirectUriProblem = (uri: string): string | null => {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return "the redirect URI is not a URL"
  }
  if (url.hostname === "localhost") return "Spotify refuses redirect URIs on localhost; use http://127.0.0.1:<port>/api/spotify/callback instead"
  if (url.protocol === "https:") return null
  if (url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "[::1]")) return null
  return "Spotify accepts only https redirect URIs, or http on 127.0.0.1 or [::1]"
}
