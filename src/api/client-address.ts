import { Option } from "effect"

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
const normalise = (address: string): string => address.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "")

/** What the address and scheme are told from: an Effect request, or a Node one seen by the fast path. */
export interface RequestFacts {
  readonly remoteAddress: Option.Option<string>
  readonly headers: Readonly<Record<string, string | undefined>>
}

const socketAddress = (request: RequestFacts): string =>
  normalise(Option.getOrElse(request.remoteAddress, () => "unknown"))

/** Whether the request came straight from a reverse proxy the operator named (SOULSPOT_TRUSTED_PROXY). */
export const fromTrustedProxy = (request: RequestFacts, trusted: ReadonlyArray<string>): boolean =>
  trusted.length > 0 && trusted.map(normalise).includes(socketAddress(request))

/**
 * Who is asking: the socket's peer, or, behind a trusted proxy, the last address that proxy
 * appended to X-Forwarded-For (earlier entries are whatever the client claimed).
 */
export const clientAddress = (request: RequestFacts, trusted: ReadonlyArray<string>): string => {
  if (!fromTrustedProxy(request, trusted)) return socketAddress(request)
  const forwarded = (request.headers["x-forwarded-for"] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
  const last = forwarded[forwarded.length - 1]
  return last === undefined ? socketAddress(request) : normalise(last)
}

/** The scheme the browser used: https only when a trusted proxy says so (this server itself speaks plain HTTP). */
export const requestScheme = (request: RequestFacts, trusted: ReadonlyArray<string>): "http" | "https" =>
  fromTrustedProxy(request, trusted) && (request.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim().toLowerCase() === "https"
    ? "https"
    : "http"
