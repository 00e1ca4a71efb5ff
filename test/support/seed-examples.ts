import { readFileSync } from 'node:fs'

/** The document the Django Channels version came from, as its users have it. */
export const SEED_DOCUMENT = readFileSync(
  new URL('../fixtures/seed/django-channels-notifications.md', import.meta.url),
  'utf8',
)

function blocks(language: string): string[] {
  const fence = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g')
  return [...SEED_DOCUMENT.matchAll(fence)].map((match) => match[1] as string)
}

export interface JsonExample {
  name: string
  body: { type: string; data: Record<string, unknown>; timestamp?: string }
}

const ALTERNATIVES = /^[a-z_]+(\|[a-z_]+)+$/

/**
 * The message examples under "Notification Types", exactly as written. Where the document lists
 * a field's values as `high|medium|low|critical`, each value is its own example: the pipe is the
 * document's way of listing them, not a value any publisher sends.
 */
export function jsonExamples(): JsonExample[] {
  return blocks('json').flatMap((text) => {
    const body = JSON.parse(text) as JsonExample['body']
    const listed = Object.entries(body.data).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && ALTERNATIVES.test(entry[1]),
    )
    const count = Math.max(1, ...listed.map(([, value]) => value.split('|').length))
    return Array.from({ length: count }, (_, i) => {
      const data = { ...body.data }
      for (const [field, value] of listed) {
        const options = value.split('|')
        data[field] = options[i % options.length]
      }
      const chosen = listed.map(([field]) => `${field} ${data[field]}`).join(', ')
      return { name: `${body.type}${chosen ? ` (${chosen})` : ''}`, body: { ...body, data } }
    })
  })
}

/** The Python blocks that publish through the Django helpers (`api.websocket_utils`, `api.signals`). */
export function pythonExamples(): string[] {
  return blocks('python').filter((code) => /^from api\.\w+ import/m.test(code))
}
