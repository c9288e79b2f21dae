import { createHash, randomBytes } from "node:crypto"

/** 64 characters of base64url: inside PKCE's 43..128 characters of A-Z a-z 0-9 - . _ ~. */
export const makeVerifier = (): string => randomBytes(48).toString("base64url")

/** S256: base64url(SHA-256(verifier)), without padding. */
export const challengeOf = (verifier: string): string => createHash("sha256").update(verifier).digest("base64url")

/** The login's CSRF state: random, single use. */
export const makeState = (): string => randomBytes(24).toString("base64url")

export const SPOTIFY_SCOPES = ["playlist-read-private", "playlist-read-collaborative", "user-library-read"] as const

