// Fails at load time, like a function whose bundle throws at the top level.
throw new Error('broken at load');
