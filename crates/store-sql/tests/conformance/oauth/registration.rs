//! Clients: registration, updates, secret rotation, deletion and authentication.

use super::{REDIRECT, World};
use paceline_domain::oauth::OAuthErrorCode;
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::clients::{self, ClientError, Registration, Update};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::store::OAuthStore;
use paceline_domain::oauth::token::{self, ClientAuth};
use paceline_testkit::{TestContext, on_both_engines};

on_both_engines!(
    clients_are_registered_updated_rotated_and_deleted,
    bad_client_registrations_are_refused,
    clients_authenticate_by_their_kind,
);

async fn clients_are_registered_updated_rotated_and_deleted(db: TestContext) {
    let mut w = World::new(&db).await;
    let (client, secret) = w.client(false, "profile:read activities:read").await;
    let secret = secret.unwrap();
    assert!(client.client_id.starts_with("pcl_"));
    assert_eq!(secret.expose().len(), 48);
    assert_eq!(
        client.secret_hash,
        Some(secret.hash()),
        "only the hash is kept"
    );
    assert_eq!(
        w.store.find_client(&client.client_id).await.unwrap(),
        Some(client.clone())
    );

    let (public, none) = w.client(true, "read write upload").await;
    assert!(none.is_none() && public.secret_hash.is_none());
    assert_eq!(
        w.store.list_clients().await.unwrap(),
        vec![client.clone(), public.clone()]
    );

    let updated = clients::update(
        &w.store,
        &w.clock,
        &client.client_id,
        Update {
            name: Some("Renamed".into()),
            redirect_uris: Some(vec!["https://new.app/cb".into()]),
            scopes: Some("profile:read".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        w.store.find_client(&client.client_id).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(updated.redirect_uris, vec!["https://new.app/cb".to_owned()]);

    let (_, new_secret) = clients::rotate_secret(&w.store, &w.clock, &mut w.rng, &client.client_id)
        .await
        .unwrap();
    let old = ClientAuth::Basic {
        client_id: client.client_id.clone(),
        secret: secret.clone(),
    };
    assert!(token::authenticate_client(&w.store, &old).await.is_err());
    let new = ClientAuth::Basic {
        client_id: client.client_id.clone(),
        secret: new_secret,
    };
    assert!(token::authenticate_client(&w.store, &new).await.is_ok());
    assert!(matches!(
        clients::rotate_secret(&w.store, &w.clock, &mut w.rng, &public.client_id).await,
        Err(ClientError::PublicClient(_))
    ));

    clients::delete(&w.store, &client.client_id).await.unwrap();
    assert_eq!(w.store.find_client(&client.client_id).await.unwrap(), None);
    assert!(matches!(
        clients::delete(&w.store, &client.client_id).await,
        Err(ClientError::UnknownClient(_))
    ));
}

async fn bad_client_registrations_are_refused(db: TestContext) {
    let mut w = World::new(&db).await;
    let base = Registration {
        name: "App".into(),
        redirect_uris: vec![REDIRECT.into()],
        scopes: "read".into(),
        public: false,
        client_id: Some("my-app".into()),
        secret: Some(Secret::new("abcdefghijklmnopqrstuvwxyz-_.~0123456789")),
    };
    let (client, secret) = clients::register(&w.store, &w.clock, &mut w.rng, base.clone())
        .await
        .unwrap();
    assert_eq!(client.client_id, "my-app");
    assert_eq!(
        secret.unwrap().expose(),
        "abcdefghijklmnopqrstuvwxyz-_.~0123456789"
    );
    let cases: Vec<(Registration, &str)> = vec![
        (base.clone(), "duplicate"),
        (
            Registration {
                client_id: None,
                redirect_uris: vec![],
                ..base.clone()
            },
            "no uri",
        ),
        (
            Registration {
                client_id: None,
                redirect_uris: vec!["http://evil.example/cb".into()],
                ..base.clone()
            },
            "http",
        ),
        (
            Registration {
                client_id: None,
                scopes: "read admin".into(),
                ..base.clone()
            },
            "scope",
        ),
        (
            Registration {
                client_id: Some("bad id".into()),
                ..base.clone()
            },
            "id",
        ),
        (
            Registration {
                client_id: None,
                secret: Some(Secret::new("short")),
                ..base.clone()
            },
            "secret",
        ),
        (
            Registration {
                client_id: None,
                name: " ".into(),
                ..base.clone()
            },
            "name",
        ),
    ];
    for (registration, what) in cases {
        assert!(
            clients::register(&w.store, &w.clock, &mut w.rng, registration)
                .await
                .is_err(),
            "{what}"
        );
    }
    assert_eq!(w.store.list_clients().await.unwrap().len(), 1);
}

async fn clients_authenticate_by_their_kind(db: TestContext) {
    let mut w = World::new(&db).await;
    let (confidential, secret) = w.client(false, "read").await;
    let secret = secret.unwrap();
    let (public, _) = w.client(true, "read").await;
    let id = |c: &OAuthClient| c.client_id.clone();
    for (auth, ok) in [
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: secret.clone(),
            },
            true,
        ),
        (
            ClientAuth::Post {
                client_id: id(&confidential),
                secret: secret.clone(),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: Secret::new("wrong"),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: id(&confidential),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: id(&public),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&public),
                secret: Secret::new(""),
            },
            true,
        ),
        (
            ClientAuth::Basic {
                client_id: id(&confidential),
                secret: Secret::new(""),
            },
            false,
        ),
        (
            ClientAuth::Post {
                client_id: id(&public),
                secret: secret.clone(),
            },
            false,
        ),
        (
            ClientAuth::Public {
                client_id: "nobody".into(),
            },
            false,
        ),
    ] {
        let result = token::authenticate_client(&w.store, &auth).await;
        assert_eq!(result.is_ok(), ok, "{auth:?}");
        if let Err(e) = result {
            assert_eq!(e.code, OAuthErrorCode::InvalidClient);
        }
    }
}
