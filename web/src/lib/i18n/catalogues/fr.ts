import type { Catalogue } from '../catalogue.js';

const fr: Catalogue = {
  'app.name': 'Outpost',
  'common.loading': 'Chargement…',
  'common.ok': 'OK',
  'nav.main': 'Principal',
  'nav.projects': 'Projets',
  'nav.settings': 'Réglages',

  'projects.title': 'Projets',
  'projects.name': 'Nom du projet',
  'projects.namePlaceholder': 'ex. Tri au dispensaire',
  'projects.create': 'Créer le projet',
  'projects.none': 'Aucun projet pour l’instant. Créez-en un pour importer des données et entraîner un modèle, tout sur cet appareil.',
  'project.notHere': 'Ce projet n’est pas sur cet appareil.',
  'project.back': 'Retour aux projets',
  'project.sections': 'Parties du projet',
  'project.tabOffline': 'Cet écran n’a pas pu s’ouvrir sans connexion. Connectez-vous une fois, rechargez, et Outpost le garde pour travailler hors ligne.',
  'tabs.data': 'Données',
  'tabs.train': 'Entraîner',
  'tabs.models': 'Modèles',
  'tabs.predict': 'Prédire',
  'tabs.monitor': 'Suivi',

  'settings.language.title': 'Langue et mots',
  'settings.language.label': 'Langue',
  'settings.language.browser': 'Comme ce téléphone ({language})',
  'settings.mlDetails.label': 'Afficher les détails ML',
  'settings.mlDetails.help':
    'Désactivé : des mots simples, comme « à quelle fréquence il a raison ». Activé : aussi les termes des spécialistes (époques, F1, log loss, AUC).',
  'settings.sync.title': 'Synchroniser avec votre organisation',
  'settings.sync.connected': 'Connecté à {org} sur {url}.',
  'settings.sync.device': 'Cet appareil : {id}',
  'settings.sync.pending': '{count, plural, one {# modification attend la synchronisation.} other {# modifications attendent la synchronisation.}}',
  'settings.sync.last': 'Dernière synchronisation : {when}.',
  'settings.sync.now': 'Synchroniser',
  'settings.sync.disconnect': 'Déconnecter',
  'settings.sync.disconnectConfirm':
    'Déconnecter cet appareil ? Tout reste sur cet appareil ; vous pourrez vous reconnecter avec un nouveau code d’inscription.',
  'settings.sync.intro':
    'Tout fonctionne sans connexion. Connectez-vous pour envoyer votre travail à votre organisation et recevoir ses modèles. Demandez un code d’inscription à votre coordinateur.',
  'settings.sync.serverUrl': 'Adresse du serveur',
  'settings.sync.code': 'Code d’inscription',
  'settings.sync.deviceName': 'Nom de l’appareil',
  'settings.sync.connect': 'Se connecter',

  'person.title': 'Se connecter en tant que personne',
  'person.signedIn': 'Connecté en tant que {name} ({role}) jusqu’au {until}.',
  'person.role.admin': 'administrateur',
  'person.role.mlLead': 'responsable ML',
  'person.role.field': 'agent de terrain',
  'person.canApprove': 'Sur cet appareil, vous pouvez approuver les propositions et mettre des versions en production (onglet Modèles), en ligne.',
  'person.signOut': 'Se déconnecter',
  'person.intro': 'Un responsable ML ou un administrateur se connecte ici avec sa clé personnelle pour approuver des modèles sur cet appareil.',
  'person.key': 'Clé personnelle',
  'person.signIn': 'Se connecter',

  'rejected.title': 'Modifications refusées par le serveur',
  'rejected.clear': 'Vider cette liste',
  'storage.title': 'Stockage sur cet appareil',
  'storage.usage': '{used} Mo utilisés sur environ {quota} Mo disponibles pour Outpost.',
  'storage.persistent': 'Le stockage est persistant : le navigateur ne l’effacera pas pour faire de la place.',
  'storage.mayClear':
    'Le navigateur peut effacer les données d’Outpost quand la place manque. Installez Outpost sur l’écran d’accueil et autorisez le stockage persistant ; synchronisez souvent.',
  'storage.keep': 'Garder les données',
  'update.ready': 'Une nouvelle version d’Outpost est prête. Vos données restent sur cet appareil.',
  'update.reload': 'Recharger pour mettre à jour',
  'update.later': 'Plus tard',
  'update.offlineReady': 'Outpost est prêt à fonctionner hors ligne.',

  'sync.status': 'État de la synchronisation',
  'sync.header.notConnected': 'Non connecté',
  'sync.header.notConnectedKept': 'Non connecté · {count} gardés sur l’appareil',
  'sync.header.syncing': 'Synchronisation… {count} en attente',
  'sync.header.synced': 'Synchronisé',
  'sync.header.offline': 'Hors ligne · {count} en attente',
  'sync.header.error': 'Problème de synchronisation · {count} en attente',
  'sync.header.pending': '{count} en attente de synchronisation',
  'sync.failure.offline': 'Pas de connexion. Tout est gardé sur cet appareil et se synchronise au retour de la connexion.',
  'sync.failure.storageFull':
    'Cet appareil n’a plus de place : la synchronisation ne peut pas enregistrer ce qu’elle reçoit. Libérez de la place (ou supprimez d’anciens journaux de prédictions), puis synchronisez à nouveau. Tout est gardé sur cet appareil.',
  'sync.failure.revoked':
    'Cet appareil n’a plus le droit de se synchroniser (accès retiré ou expiré). Demandez un nouveau code d’inscription à votre coordinateur et reconnectez-vous dans Réglages. Tout est gardé sur cet appareil.',
  'sync.failure.appOutdated':
    'Cette application est plus ancienne que le serveur et ne peut plus se synchroniser. Mettez-la à jour : rechargez-la en ligne ou installez la nouvelle version. Tout est gardé sur cet appareil.',
  'sync.failure.serverOutdated':
    'Le serveur est plus ancien que cette application. Demandez à votre coordinateur de le mettre à jour. Tout est gardé sur cet appareil.',
  'sync.failure.busy': 'Le serveur est occupé ou redémarre ; la synchronisation réessaiera dans quelques minutes. Tout est gardé sur cet appareil.',
};
export default fr;
