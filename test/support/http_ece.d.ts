declare module 'http_ece' {
  import type { ECDH } from 'node:crypto'

  /** RFC 8188 decryption, as a browser does for a Web Push message (RFC 8291). */
  export function decrypt(
    buffer: Buffer,
    params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string },
  ): Buffer
}
