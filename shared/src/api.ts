// placeholder: being written by a helper
export {};
