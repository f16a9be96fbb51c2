// Registered by tsx-loader.mjs as a module-hooks module (it has no hooks): it runs in the hooks
// thread before tsx's hooks load there, so tsx in that thread sees NODE_V8_COVERAGE and puts
// sourcesContent in its source maps. The thread's environment is its own copy.
process.env.NODE_V8_COVERAGE ??= 'tsx-sources-content';
