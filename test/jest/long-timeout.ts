// Integration and e2e suites start real servers; a slow shared machine needs more than
// jest's 5 s per test. (testTimeout in a project's config is not honoured.)
jest.setTimeout(120_000);
