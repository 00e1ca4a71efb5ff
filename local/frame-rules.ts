import type { Socket } from 'node:net'
import { MAX_FRAME_BYTES } from '../shared/protocol/limits.js'

export interface FrameHeader {
  opcode: number
  /** Payload bytes of this one frame (a message may span several). */
  length: number
}

const CONTINUATION = 0x0
const TEXT = 0x1
const BINARY = 0x2

/** A frame's header from the start of `bytes` (RFC 6455 5.2), or undefined while it is incomplete. */
function readHeader(bytes: Buffer): (FrameHeader & { size: number }) | undefined {
  if (bytes.length < 2) return undefined
  const opcode = (bytes[0] as number) & 0x0f
  let length = (bytes[1] as number) & 0x7f
  let size = 2
  if (length === 126) {
    if (bytes.length < 4) return undefined
    length = bytes.readUInt16BE(2)
    size = 4
  } else if (length === 127) {
    if (bytes.length < 10) return undefined
    length = Number(bytes.readBigUInt64BE(2))
    size = 10
  }
  if ((bytes[1] as number) & 0x80) size += 4 // the client's masking key
  return bytes.length < size ? undefined : { opcode, length, size }
}

/**
 * Follows the frames in a client's byte stream without decoding them: `ws` enforces the 128 KB
 * message, but API Gateway's limits are also per frame, which `ws` does not surface.
 */
class FrameHeaderReader {
  #pending = Buffer.alloc(0)
  #skip = 0

  constructor(private readonly onFrame: (frame: FrameHeader) => void) {}

  push(chunk: Buffer): void {
    let data = chunk
    while (data.length > 0) {
      if (this.#skip > 0) {
        const passed = Math.min(this.#skip, data.length)
        this.#skip -= passed
        data = data.subarray(passed)
        continue
      }
      const bytes = this.#pending.length ? Buffer.concat([this.#pending, data]) : data
      const header = readHeader(bytes)
      if (!header) {
        this.#pending = Buffer.from(bytes)
        return
      }
      this.#pending = Buffer.alloc(0)
      this.onFrame(header)
      this.#skip = header.length
      data = bytes.subarray(header.size)
    }
  }
}

/** Why API Gateway closes a connection for a frame, if it does: binary 1003, over 32 KB 1009. */
function frameViolation(frame: FrameHeader): { code: number; reason: string } | undefined {
  if (frame.opcode === BINARY) return { code: 1003, reason: 'Binary frames are not supported' }
  if ((frame.opcode === TEXT || frame.opcode === CONTINUATION) && frame.length > MAX_FRAME_BYTES)
    return { code: 1009, reason: `Frame exceeds ${MAX_FRAME_BYTES} bytes` }
  return undefined
}

/**
 * Watches the raw socket of an upgrading connection; `close` is called once, for the first frame
 * API Gateway would refuse. Attached before `ws` reads the socket, so it sees each frame first.
 */
export function watchFrames(socket: Socket, close: (code: number, reason: string) => void): void {
  let closed = false
  const reader = new FrameHeaderReader((frame) => {
    const violation = closed ? undefined : frameViolation(frame)
    if (!violation) return
    closed = true
    close(violation.code, violation.reason)
  })
  socket.on('data', (chunk: Buffer) => reader.push(chunk))
}
