export * from './version.ts';
export * from './errors.ts';
export * from './entities.ts';
export * from './methods.ts';
export * from './frames.ts';
export * from './validation.ts';
export * from './assert.ts';
export * from './secret-payload.ts';
