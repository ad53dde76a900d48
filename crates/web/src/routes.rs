//! Routes that declare themselves: every route is added through [`Routes::route`] with an
//! [`Endpoint`] built by this module's [`get`] / [`post`], which record the methods they
//! serve. The table that results is what the authorisation tests walk, so a route cannot be
//! added without it being listed.

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::MethodRouter;

/// One route as the router serves it: its path pattern and the methods it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// The path as declared, with `{id}`-style parameters.
    pub path: &'static str,
    /// "GET", "POST": in the order they were declared.
    pub methods: Vec<&'static str>,
}

/// The handlers of one path, with the methods they answer.
pub(crate) struct Endpoint {
    router: MethodRouter<AppState>,
    methods: Vec<&'static str>,
}

pub(crate) fn get<H, T>(handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Endpoint {
        router: axum::routing::get(handler),
        methods: vec!["GET"],
    }
}

pub(crate) fn post<H, T>(handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Endpoint {
        router: axum::routing::post(handler),
        methods: vec!["POST"],
    }
}

impl Endpoint {
    pub(crate) fn post<H, T>(self, handler: H) -> Endpoint
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut methods = self.methods;
        methods.push("POST");
        Endpoint {
            router: self.router.post(handler),
            methods,
        }
    }

    /// Uploads get their own body limit on their own route.
    pub(crate) fn layer(self, limit: DefaultBodyLimit) -> Endpoint {
        Endpoint {
            router: self.router.layer(limit),
            methods: self.methods,
        }
    }
}

/// A router that keeps the list of what it serves.
#[derive(Default)]
pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Routes {
    pub(crate) fn new() -> Routes {
        Routes::default()
    }

    pub(crate) fn route(mut self, path: &'static str, endpoint: Endpoint) -> Routes {
        self.table.push(RouteInfo {
            path,
            methods: endpoint.methods,
        });
        self.router = self.router.route(path, endpoint.router);
        self
    }

    pub(crate) fn merge(mut self, other: Routes) -> Routes {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}
