// Test rules for this suite: a small chat schema exercising auth, get()/
// exists(), request.time, query constraints and custom claims. They are
// inline on purpose; the shipped firestore.rules has its own suite.
export const rules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function signedIn() { return request.auth != null; }
    function isMember(room) {
      return signedIn() && exists(/databases/$(database)/documents/rooms/$(room)/members/$(request.auth.uid));
    }

    match /public/{doc} {
      allow read: if true;
      allow write: if signedIn() && request.auth.token.admin == true;
    }

    match /profiles/{uid} {
      allow read: if signedIn();
      allow create, update: if signedIn() && request.auth.uid == uid
        && request.resource.data.keys().hasOnly(['name', 'age', 'updatedAt'])
        && request.resource.data.name is string;
      allow delete: if signedIn() && request.auth.uid == uid;
    }

    match /rooms/{room} {
      allow read: if isMember(room);
      match /members/{uid} {
        allow read: if signedIn() && request.auth.uid == uid;
      }
      match /messages/{msg} {
        allow read: if isMember(room);
        allow create: if isMember(room)
          && request.resource.data.author == request.auth.uid
          && request.resource.data.sentAt == request.time;
        allow update, delete: if false;
      }
    }

    // Rules are not filters: a list is allowed only when the query itself
    // guarantees the condition.
    match /notes/{id} {
      allow list: if signedIn() && resource.data.owner == request.auth.uid;
      allow get: if signedIn() && resource.data.owner == request.auth.uid;
      allow create: if signedIn() && request.resource.data.owner == request.auth.uid;
    }
    match /scores/{id} {
      allow list: if signedIn() && request.query.limit <= 10;
      allow get: if signedIn();
    }

    match /counters/{id} {
      allow read: if signedIn();
      allow write: if signedIn() && request.resource.data.n is int;
    }
  }
}
`;
