//! The GraphQL schema: built at start from the SDL in `emulator/schema/` with async-graphql's
//! dynamic schema. Root fields call [`Engine::execute`]; every other field reads the key of the
//! same name from its parent JSON object. Missing non-null values resolve to a zero value.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Interface, InterfaceField,
    Object, ResolverContext, Scalar, Schema, SchemaError, Subscription, SubscriptionField,
    SubscriptionFieldFuture, TypeRef, Union,
};
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql::{ErrorExtensions, Name, Value as GqlValue};
use serde_json::Value;

use crate::engine::Engine;

/// SDL generated from the official clients' document shapes.
pub const GENERATED_SDL: &str = include_str!("../schema/generated.graphql");
/// Hand-written SDL additions (subscriptions).
pub const EXTRA_SDL: &str = include_str!("../schema/extra.graphql");

#[derive(Debug, Clone)]
enum Kind {
    Scalar,
    Enum(String),
    Object(Vec<(String, TypeRef)>),
    Union(Vec<String>),
}

/// Type registry used to produce zero values and choose union members.
#[derive(Debug, Default)]
pub struct Registry {
    kinds: HashMap<String, Kind>,
}

fn to_ref(t: &Type) -> TypeRef {
    let inner = match &t.base {
        BaseType::Named(n) => TypeRef::Named(n.to_string().into()),
        BaseType::List(b) => TypeRef::List(Box::new(to_ref(b))),
    };
    if t.nullable {
        inner
    } else {
        TypeRef::NonNull(Box::new(inner))
    }
}

impl Registry {
    fn zero(&self, ty: &TypeRef, depth: usize) -> Value {
        match ty {
            TypeRef::NonNull(i) => self.zero(i, depth),
            TypeRef::List(_) => Value::Array(Vec::new()),
            TypeRef::Named(n) => match n.as_ref() {
                "String" | "ID" | "ConnectionCursor" => Value::String(String::new()),
                "Int" | "Float" => serde_json::json!(0),
                "Boolean" => Value::Bool(false),
                "DateTime" => Value::String("1970-01-01T00:00:00.000Z".into()),
                "JSON" | "UUID" => Value::String(String::new()),
                other => match self.kinds.get(other) {
                    Some(Kind::Enum(first)) => Value::String(first.clone()),
                    Some(Kind::Union(members)) => {
                        serde_json::json!({"__typename": members.first().cloned().unwrap_or_default()})
                    }
                    Some(Kind::Object(fields)) if depth < 4 => {
                        let mut m = serde_json::Map::new();
                        for (name, fty) in fields {
                            if matches!(fty, TypeRef::NonNull(_)) {
                                m.insert(name.clone(), self.zero(fty, depth + 1));
                            }
                        }
                        Value::Object(m)
                    }
                    _ => Value::Object(serde_json::Map::new()),
                },
            },
        }
    }

    fn is_abstract(&self, name: &str) -> Option<&Vec<String>> {
        match self.kinds.get(name) {
            Some(Kind::Union(m)) => Some(m),
            _ => None,
        }
    }

    fn is_object(&self, name: &str) -> bool {
        matches!(
            self.kinds.get(name),
            Some(Kind::Object(_)) | Some(Kind::Union(_))
        )
    }

    /// Object fields of a type (for building "select everything" documents).
    pub fn fields(&self, name: &str) -> Option<&[(String, TypeRef)]> {
        match self.kinds.get(name) {
            Some(Kind::Object(f)) => Some(f),
            _ => None,
        }
    }

    /// Union members.
    pub fn members(&self, name: &str) -> Option<&[String]> {
        self.is_abstract(name).map(|v| v.as_slice())
    }
}

fn named(ty: &TypeRef) -> &str {
    match ty {
        TypeRef::Named(n) => n,
        TypeRef::NonNull(i) | TypeRef::List(i) => named(i),
    }
}

/// Convert a borrowed JSON value into a field value of type `ty`.
fn resolve<'a>(reg: &Registry, v: Option<&'a Value>, ty: &TypeRef) -> Option<FieldValue<'a>> {
    match (ty, v) {
        (TypeRef::NonNull(inner), None | Some(Value::Null)) => {
            Some(owned(reg, reg.zero(inner, 0), inner))
        }
        (TypeRef::NonNull(inner), v) => resolve(reg, v, inner),
        (_, None | Some(Value::Null)) => None,
        (TypeRef::List(inner), Some(Value::Array(items))) => {
            Some(FieldValue::list(items.iter().map(|x| {
                resolve(reg, Some(x), inner).unwrap_or(FieldValue::NULL)
            })))
        }
        (TypeRef::List(inner), Some(other)) => {
            Some(FieldValue::list(resolve(reg, Some(other), inner)))
        }
        (TypeRef::Named(n), Some(v)) => {
            if let Some(members) = reg.is_abstract(n) {
                let tn = v
                    .get("__typename")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| members.first().cloned())
                    .unwrap_or_default();
                Some(FieldValue::borrowed_any(v).with_type(tn))
            } else if reg.is_object(n) {
                Some(FieldValue::borrowed_any(v))
            } else {
                Some(FieldValue::value(scalar(v)))
            }
        }
    }
}

/// Convert an owned JSON value into a field value of type `ty`.
fn owned(reg: &Registry, v: Value, ty: &TypeRef) -> FieldValue<'static> {
    match (ty, v) {
        (TypeRef::NonNull(inner), Value::Null) => owned(reg, reg.zero(inner, 0), inner),
        (TypeRef::NonNull(inner), v) => owned(reg, v, inner),
        (_, Value::Null) => FieldValue::NULL,
        (TypeRef::List(inner), Value::Array(items)) => FieldValue::list(
            items
                .into_iter()
                .map(|x| owned(reg, x, inner))
                .collect::<Vec<_>>(),
        ),
        (TypeRef::List(inner), other) => FieldValue::list(vec![owned(reg, other, inner)]),
        (TypeRef::Named(n), v) => {
            if let Some(members) = reg.is_abstract(n) {
                let tn = v
                    .get("__typename")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| members.first().cloned())
                    .unwrap_or_default();
                FieldValue::owned_any(v).with_type(tn)
            } else if reg.is_object(n) {
                FieldValue::owned_any(v)
            } else {
                FieldValue::value(scalar(&v))
            }
        }
    }
}

fn scalar(v: &Value) -> GqlValue {
    match v {
        Value::String(s) => GqlValue::String(s.clone()),
        other => GqlValue::from_json(other.clone()).unwrap_or(GqlValue::Null),
    }
}

fn to_gql_error(e: crate::error::ApiError) -> async_graphql::Error {
    let trace = format!("emulator-{:x}", rand_trace());
    async_graphql::Error::new(e.message.clone()).extend_with(|_, ext| {
        ext.set("code", e.code);
        ext.set("traceId", trace.clone());
        ext.set("isValidationError", false);
    })
}

fn rand_trace() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0x5eed);
    let n = N.fetch_add(1, Ordering::Relaxed);
    n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (chrono::Utc::now().timestamp_micros() as u64)
}

fn args_json(ctx: &ResolverContext<'_>) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in ctx.args.iter() {
        m.insert(
            k.to_string(),
            v.as_value().clone().into_json().unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

/// Build the schema and its registry.
pub fn build(engine: Arc<Engine>) -> Result<(Schema, Arc<Registry>), SchemaError> {
    let sdl = format!("{GENERATED_SDL}\n{EXTRA_SDL}");
    let doc = async_graphql::parser::parse_schema(&sdl).map_err(|e| SchemaError(e.to_string()))?;
    let mut reg = Registry::default();
    // merge `extend type` definitions into their base type
    let mut merged: Vec<async_graphql::parser::types::TypeDefinition> = Vec::new();
    for d in doc.definitions {
        if let TypeSystemDefinition::Type(t) = d {
            let t = t.node;
            if t.extend {
                if let Some(base) = merged.iter_mut().find(|b| b.name.node == t.name.node) {
                    if let (TypeKind::Object(bo), TypeKind::Object(eo)) = (&mut base.kind, t.kind) {
                        bo.fields.extend(eo.fields);
                    }
                }
                continue;
            }
            merged.push(t);
        }
    }
    let mut defs = Vec::new();
    {
        for t in merged {
            let name = t.name.node.to_string();
            let kind = match &t.kind {
                TypeKind::Scalar => Kind::Scalar,
                TypeKind::Enum(e) => Kind::Enum(
                    e.values
                        .first()
                        .map(|v| v.node.value.node.to_string())
                        .unwrap_or_default(),
                ),
                TypeKind::Object(o) => Kind::Object(
                    o.fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), to_ref(&f.node.ty.node)))
                        .collect(),
                ),
                TypeKind::Interface(o) => Kind::Object(
                    o.fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), to_ref(&f.node.ty.node)))
                        .collect(),
                ),
                TypeKind::Union(u) => {
                    Kind::Union(u.members.iter().map(|m| m.node.to_string()).collect())
                }
                TypeKind::InputObject(_) => Kind::Scalar,
            };
            reg.kinds.insert(name, kind);
            defs.push(t);
        }
    }
    // interfaces become unions for resolution purposes
    let reg = Arc::new(reg);
    let mut builder = Schema::build("Query", Some("Mutation"), Some("Subscription"));
    for t in defs {
        let name = t.name.node.to_string();
        let implements = t.kind_implements();
        match t.kind {
            TypeKind::Scalar => builder = builder.register(Scalar::new(name)),
            TypeKind::Enum(e) => {
                let mut en = Enum::new(name);
                for v in e.values {
                    en = en.item(v.node.value.node.to_string());
                }
                builder = builder.register(en);
            }
            TypeKind::Union(u) => {
                let mut un = Union::new(name);
                for m in u.members {
                    un = un.possible_type(m.node.to_string());
                }
                builder = builder.register(un);
            }
            TypeKind::InputObject(io) => {
                let mut obj = InputObject::new(name);
                for f in io.fields {
                    obj = obj.field(InputValue::new(
                        f.node.name.node.to_string(),
                        to_ref(&f.node.ty.node),
                    ));
                }
                builder = builder.register(obj);
            }
            TypeKind::Interface(i) => {
                let mut it = Interface::new(name);
                for f in i.fields {
                    it = it.field(InterfaceField::new(
                        f.node.name.node.to_string(),
                        to_ref(&f.node.ty.node),
                    ));
                }
                builder = builder.register(it);
            }
            TypeKind::Object(o) if name == "Subscription" => {
                let mut sub = Subscription::new(name);
                for fd in o.fields {
                    let fname = fd.node.name.node.to_string();
                    let ty = to_ref(&fd.node.ty.node);
                    let engine = engine.clone();
                    let reg = reg.clone();
                    let fname2 = fname.clone();
                    let ty2 = ty.clone();
                    sub = sub.field(SubscriptionField::new(fname, ty, move |_ctx| {
                        let rx = engine.subscribe();
                        let fname = fname2.clone();
                        let reg = reg.clone();
                        let ty = ty2.clone();
                        SubscriptionFieldFuture::new(async move {
                            let stream = futures_util::stream::unfold(rx, move |mut rx| {
                                let fname = fname.clone();
                                async move {
                                    loop {
                                        match rx.recv().await {
                                            Ok(ev) if ev.field == fname => {
                                                return Some((ev.payload, rx))
                                            }
                                            Ok(_) => continue,
                                            Err(
                                                tokio::sync::broadcast::error::RecvError::Lagged(_),
                                            ) => continue,
                                            Err(_) => return None,
                                        }
                                    }
                                }
                            });
                            let reg2 = reg.clone();
                            Ok(futures_util::StreamExt::map(stream, move |payload| {
                                Ok::<_, async_graphql::Error>(owned(&reg2, payload, &ty))
                            }))
                        })
                    }));
                }
                builder = builder.register(sub);
            }
            TypeKind::Object(o) => {
                let root = name == "Query" || name == "Mutation";
                let mut obj = Object::new(name.clone());
                for i in &implements {
                    obj = obj.implement(i.clone());
                }
                for fd in o.fields {
                    let fname = fd.node.name.node.to_string();
                    let ty = to_ref(&fd.node.ty.node);
                    let reg = reg.clone();
                    let fname2 = fname.clone();
                    let ty2 = ty.clone();
                    let mut field = if root {
                        let engine = engine.clone();
                        Field::new(fname, ty, move |ctx| {
                            let engine = engine.clone();
                            let reg = reg.clone();
                            let fname = fname2.clone();
                            let ty = ty2.clone();
                            FieldFuture::new(async move {
                                let args = args_json(&ctx);
                                let v = engine.execute(&fname, &args).map_err(to_gql_error)?;
                                Ok(Some(owned(&reg, v, &ty)))
                            })
                        })
                    } else {
                        Field::new(fname, ty, move |ctx| {
                            let parent = ctx.parent_value.downcast_ref::<Value>();
                            let v = parent.and_then(|p| p.get(fname2.as_str()));
                            FieldFuture::Value(resolve(&reg, v, &ty2))
                        })
                    };
                    for a in fd.node.arguments {
                        field = field.argument(InputValue::new(
                            a.node.name.node.to_string(),
                            to_ref(&a.node.ty.node),
                        ));
                    }
                    obj = obj.field(field);
                }
                builder = builder.register(obj);
            }
        }
    }
    let _ = Name::new("unused");
    Ok((builder.finish()?, reg))
}

trait Implements {
    fn kind_implements(&self) -> Vec<String>;
}

impl Implements for async_graphql::parser::types::TypeDefinition {
    fn kind_implements(&self) -> Vec<String> {
        match &self.kind {
            TypeKind::Object(o) => o.implements.iter().map(|i| i.node.to_string()).collect(),
            _ => Vec::new(),
        }
    }
}

/// A selection set selecting every field of `type_name` (depth-limited, `__typename`
/// everywhere, inline fragments for unions). Used to build the Edge documents so they return the
/// same shapes as the GraphQL API.
pub fn select_all(reg: &Registry, type_name: &str, depth: usize, path: &mut Vec<String>) -> String {
    let mut out = String::from("{ __typename ");
    if let Some(members) = reg.members(type_name) {
        for m in members {
            out.push_str(&format!("... on {m} {} ", select_all(reg, m, depth, path)));
        }
        out.push('}');
        return out;
    }
    if let Some(fields) = reg.fields(type_name) {
        for (name, ty) in fields {
            let n = named(ty);
            if name == "_unused" {
                continue;
            }
            if reg.is_object(n) {
                if depth == 0 || path.iter().filter(|p| *p == n).count() >= 2 {
                    continue;
                }
                path.push(n.to_string());
                out.push_str(&format!("{name} {} ", select_all(reg, n, depth - 1, path)));
                path.pop();
            } else {
                out.push_str(name);
                out.push(' ');
            }
        }
    }
    out.push('}');
    out
}

/// Build a request whose parsed document works around an async-graphql dynamic-schema gap:
/// a fragment spread whose type condition is a **union** (e.g. `...EntitlementUnionFragment` on
/// `EntitlementUnion`, as the official documents use) never matches the concrete member at
/// execution. Next to each such spread we add an inline fragment without type condition carrying
/// the same selections (the spread stays, so validation still sees the fragment used).
pub fn request(reg: &Registry, query: &str) -> async_graphql::Request {
    use async_graphql::parser::types::{InlineFragment, Selection, SelectionSet};
    use async_graphql::Positioned;

    fn rewrite(
        set: &mut SelectionSet,
        frags: &HashMap<Name, Positioned<async_graphql::parser::types::FragmentDefinition>>,
        reg: &Registry,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        let mut extra = Vec::new();
        for sel in &mut set.items {
            match &mut sel.node {
                Selection::Field(f) => {
                    rewrite(&mut f.node.selection_set.node, frags, reg, depth + 1)
                }
                Selection::InlineFragment(i) => {
                    rewrite(&mut i.node.selection_set.node, frags, reg, depth + 1)
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fd) = frags.get(&s.node.fragment_name.node) {
                        if reg
                            .is_abstract(fd.node.type_condition.node.on.node.as_str())
                            .is_some()
                        {
                            let mut inner = fd.node.selection_set.clone();
                            rewrite(&mut inner.node, frags, reg, depth + 1);
                            extra.push(Positioned::new(
                                Selection::InlineFragment(Positioned::new(
                                    InlineFragment {
                                        type_condition: None,
                                        directives: Vec::new(),
                                        selection_set: inner,
                                    },
                                    s.pos,
                                )),
                                sel.pos,
                            ));
                        }
                    }
                }
            }
        }
        set.items.extend(extra);
    }

    let mut req = async_graphql::Request::new(query);
    if let Ok(mut doc) = async_graphql::parser::parse_query(query) {
        let frags = doc.fragments.clone();
        for f in doc.fragments.values_mut() {
            rewrite(&mut f.node.selection_set.node, &frags, reg, 0);
        }
        match &mut doc.operations {
            async_graphql::parser::types::DocumentOperations::Single(op) => {
                rewrite(&mut op.node.selection_set.node, &frags, reg, 0)
            }
            async_graphql::parser::types::DocumentOperations::Multiple(ops) => {
                for op in ops.values_mut() {
                    rewrite(&mut op.node.selection_set.node, &frags, reg, 0);
                }
            }
        }
        req.set_parsed_query(doc);
    }
    req
}
