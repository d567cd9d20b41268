/**
 * An environment for a child process built from scratch (nothing inherited by accident).
 * Next's types declare NODE_ENV required on ProcessEnv, which a minimal env omits.
 */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...vars } as unknown as NodeJS.ProcessEnv;
}
