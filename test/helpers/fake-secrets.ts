// Strings shaped like real provider keys, for the tests that prove such keys are masked
// or never reach a client. Assembled at run time so that secret scanners (and our own
// pre-commit check) do not mistake the test suite for a leak.
const join = (...parts: string[]) => parts.join("-");

export const fakeOpenAIKey = (tag: string) => join("sk", "proj", tag);
export const fakeAnthropicKey = (tag: string) => join("sk", "ant", "api03", tag);
export const fakeGoogleKey = (tag: string) => "AIza" + tag;
