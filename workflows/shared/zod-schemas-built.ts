// Imported first by workflows/shared/core.ts, before any module that builds a zod schema: collects every
// schema zod constructs while the shared core is evaluated, so that core.ts can complete them before the
// SDK freezes the shared modules (see core.ts). zod calls `globalThis.__zod_globalConfig.postProcessor`
// with each instance it has finished constructing (zod/v4/core/core.js); zod keeps its configuration in
// that global object, created here if zod has not created it yet.
interface ZodGlobalConfig {
  postProcessor?: ((instance: object) => void) | undefined;
}
const holder = globalThis as { __zod_globalConfig?: ZodGlobalConfig };
const config = (holder.__zod_globalConfig ??= {});

const built: object[] = [];
if (config.postProcessor) throw new Error('zod already has a schema post-processor: the shared workflow core cannot collect its schemas');
config.postProcessor = (instance) => built.push(instance);

/** Stops collecting and hands over (and forgets) the schemas built so far. */
export function takeBuiltSchemas(): object[] {
  delete config.postProcessor;
  return built.splice(0);
}
