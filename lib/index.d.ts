export * from '../index'

/** Every promise of slsx rejects with this: `code` is a stable SCREAMING_SNAKE string
 * (Serverless's own code where it has one); config errors also say where. */
export interface SlsxError extends Error {
  code: string
  file?: string
  line?: number
  column?: number
  /** Property path in the config, such as `functions.hello.handler`. */
  path?: string
}
