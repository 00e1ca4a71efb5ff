/**
 * Registers the service worker at `url` (or finds it registered) and waits until it is active:
 * `pushManager.subscribe` refuses a registration whose worker is still installing. A worker
 * that fails to install becomes redundant, and so does the wait.
 */
export async function registerActive(url: string): Promise<ServiceWorkerRegistration> {
  const registration = await navigator.serviceWorker.register(url)
  const worker = registration.installing ?? registration.waiting
  if (registration.active || !worker) return registration
  await new Promise<void>((resolve, reject) => {
    const settle = (): void => {
      if (worker.state === 'activated') resolve()
      else if (worker.state === 'redundant') reject(new Error(`the service worker ${url} failed to install`))
      else return
      worker.removeEventListener('statechange', settle)
    }
    worker.addEventListener('statechange', settle)
    settle()
  })
  return registration
}
