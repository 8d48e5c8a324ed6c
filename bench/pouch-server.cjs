// The peer for sync: express-pouchdb (CouchDB's HTTP API over PouchDB with LevelDB) on loopback.
const PouchDB = require('pouchdb');
const express = require('express');
const dir = process.argv[2];
const port = Number(process.argv[3]);
const Db = PouchDB.defaults({ prefix: dir.endsWith('/') ? dir : dir + '/' });
const app = express();
app.use('/', require('express-pouchdb')(Db, { mode: 'minimumForPouchDB', logPath: dir + '/log.txt' }));
app.listen(port, '127.0.0.1', () => console.log('ready'));
