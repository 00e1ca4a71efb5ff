// One Lambda instance in its own thread: loads a function module and answers invocations, one at a
// time. Plain JavaScript, because it must register the TypeScript loader before importing anything.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'
import { serveInvocations } from './instance-loop.mjs'

register()
const functionModule = await import(workerData.module)
const { awsClients } = await import(workerData.clientsModule)
serveInvocations(functionModule.fromEnvironment(workerData.env, awsClients(workerData.settings)))
