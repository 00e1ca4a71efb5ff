// The dashboard's service worker: it shows Herald's Web Push as a system notification and opens
// the dashboard when one is clicked (docs/architecture.md, Offline delivery). Plain JavaScript in
// `public/`, which Vite copies as it is, so its URL (/herald-sw.js) and its scope (/) never change.

/** Herald pushes the alert's envelope as JSON: the title, then the severity and the message. */
function notificationOf(envelope) {
  const data = envelope.data ?? {}
  return {
    title: data.title || 'Herald',
    options: {
      body: [data.severity?.toUpperCase(), data.message].filter(Boolean).join(' · '),
      // A thread's repeats replace each other, as they fold into one entry in the inbox.
      tag: envelope.thread?.key ?? envelope.id,
      data: { url: self.registration.scope },
    },
  }
}

self.addEventListener('push', (event) => {
  let envelope = {}
  try {
    envelope = event.data?.json() ?? {}
  } catch {
    // Still shown: a push that shows nothing makes the browser show a notice of its own.
  }
  const { title, options } = notificationOf(envelope)
  event.waitUntil(self.registration.showNotification(title, options))
})

self.addEventListener('notificationclick', (event) => {
  const { url } = event.notification.data
  event.waitUntil(
    // Tabs opened before the worker was are not its clients, but are the dashboard all the same.
    self.clients
      .matchAll({ type: 'window', includeUncontrolled: true })
      .then((tabs) => {
        const open = tabs.find((tab) => tab.url.startsWith(url))
        return open ? open.focus() : self.clients.openWindow(url)
      })
      // Closed last, so it never vanishes before the dashboard shows (or fails to).
      .finally(() => event.notification.close()),
  )
})
