// Data quality: text features, noise generators and the scorer trained on them (see each file).
export * from './features';
export * from './noise';
export * from './scorer';
