import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import webPush from 'web-push'

/** The local stack's VAPID key pair (RFC 8292), base64url. */
export interface LocalVapidKeys {
  publicKey: string
  privateKey: string
}

/** Where the local stack keeps its VAPID key pair: beside its endpoints file. */
export const vapidKeysFile = (configFile: string): string => join(dirname(configFile), 'vapid.json')

/**
 * The key pair the local stack signs pushes with: kept beside the endpoints file (`.herald/`), so a
 * browser's subscription outlives a restart of `npm start`; made afresh when there is no such file.
 */
export async function localVapidKeys(configFile: string | undefined): Promise<LocalVapidKeys> {
  if (!configFile) return webPush.generateVAPIDKeys()
  const path = vapidKeysFile(configFile)
  if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8')) as LocalVapidKeys
  const keys = webPush.generateVAPIDKeys()
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 })
  return keys
}
