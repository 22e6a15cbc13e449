export * from './api';
export * from './schemas';
export * from './records';
export * from './examples';
export * from './experiments';
