/**
 * One peer's answer to a search, in slskd's own shape (GET /api/v0/searches/{id}/responses),
 * so `cli match` can read captured responses as they are. Optional fields are the ones
 * slskd omits when the peer did not send them.
 */
export interface PeerFile {
  readonly filename: string
  readonly size: number
  readonly extension?: string | undefined
  readonly bitRate?: number | undefined
  readonly bitDepth?: number | undefined
  readonly sampleRate?: number | undefined
  readonly length?: number | undefined
  readonly isVariableBitRate?: boolean | undefined
  readonly code?: number | undefined
  readonly isLocked?: boolean | undefined
}

export interface PeerResponse {
  readonly username: string
  readonly files: ReadonlyArray<PeerFile>
  readonly lockedFiles?: ReadonlyArray<PeerFile> | undefined
  readonly hasFreeUploadSlot: boolean
  readonly queueLength: number
  readonly uploadSpeed: number
  readonly fileCount?: number | undefined
  readonly lockedFileCount?: number | undefined
  readonly token?: number | undefined
}
