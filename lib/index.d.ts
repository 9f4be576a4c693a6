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
  /** A plugin's hook failed: the plugin as listed in `plugins:`, and the hook (`before:package:compileEvents`). */
  plugin?: string
  hook?: string
}

/** A command a plugin of the service defines (`commands` of a Serverless v3 plugin). */
export interface PluginCommand {
  usage?: string
  lifecycleEvents?: string[]
  options?: Record<string, { usage?: string; shortcut?: string; type?: string; required?: boolean }>
  commands?: Record<string, PluginCommand>
  type?: 'container' | 'entrypoint'
  /** The plugin that defines it. */
  plugin: string
}

/** Runs a plugin's own command (`['prune']`, `['offline']`) with the service's plugins loaded;
 * the command's options go in `options.options`. */
export function runPluginCommand(command: string[], options: import('../index').ServiceOptions): Promise<void>

/** The commands the service's plugins define, by name. */
export function pluginCommands(options: import('../index').ServiceOptions): Promise<Record<string, PluginCommand>>
