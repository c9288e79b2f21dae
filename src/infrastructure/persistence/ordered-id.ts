import { randomBytes } from "node:crypto"

let lastMs = 0
let counter = 0

/**
 * A UUID (version 7) that sorts after every one made before it in this process: a millisecond
 * time stamp, then a counter within the millisecond, then random bits. Downloads queued in one
 * transaction share created_at, and the queue breaks ties by id, so a playlist is searched in
 * its own order.
 */
export const orderedUuid = (nowMs: number = Date.now()): string => {
  if (nowMs > lastMs) {
    lastMs = nowMs
    counter = 0
  } else if (++counter > 0xfff) {
    lastMs++
    counter = 0
  }
  const bytes = randomBytes(16)
  const ms = lastMs
  for (let i = 5; i >= 0; i--) bytes[5 - i] = Math.floor(ms / 2 ** (8 * i)) & 0xff
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = bytes.toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
