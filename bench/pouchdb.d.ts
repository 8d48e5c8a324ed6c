declare module 'pouchdb';
