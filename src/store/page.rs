//! Keyset pagination on a table's id: stable under inserts, no OFFSET scans.
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

/// Page sizes are clamped to this, whatever the client asks; `first: 0` is an empty page
/// that still says whether there is more (Relay).
pub const MAX_PAGE_SIZE: u64 = 100;
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// Relay-style arguments, already decoded: cursors are ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub first: Option<u64>,
    pub last: Option<u64>,
}

impl PageRequest {
    pub fn size(&self) -> u64 {
        self.last
            .or(self.first)
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(0, MAX_PAGE_SIZE)
    }
    fn backwards(&self) -> bool {
        self.last.is_some() && self.first.is_none()
    }
}

pub struct Page<T> {
    pub items: Vec<T>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// The whole listing, without the page's cursors and size: counted only when asked.
    pub counted: Counted,
}

/// A listing's query kept unrun, so its size costs a statement only for a client that asks
/// for it (`totalCount`). Its filter is the listing's own, scope included.
#[derive(Clone)]
pub struct Counted(SelectStatement);

impl Counted {
    /// How many rows the listing holds: one `COUNT(*)` over the listing's filter.
    pub async fn count<C: ConnectionTrait>(&self, db: &C) -> Result<u64, DbErr> {
        let mut query = self.0.clone();
        query
            .clear_selects()
            .expr_as(Expr::col(Asterisk).count(), "n");
        let row = db
            .query_one(&query)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("a count returned no row".to_owned()))?;
        let n: i64 = row.try_get("", "n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Runs `select` one page at a time in id order (`descending` for newest first).
pub async fn paginate<E, C, Col>(
    db: &C,
    select: Select<E>,
    id: Col,
    page: PageRequest,
    descending: bool,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
    Col: ColumnTrait,
{
    let size = page.size();
    let counted = Counted(select.clone().into_query());
    let mut select = select;
    // "after" means further along the listing order; in descending order that is smaller ids.
    if let Some(after) = page.after {
        select = select.filter(if descending {
            id.lt(after)
        } else {
            id.gt(after)
        });
    }
    if let Some(before) = page.before {
        select = select.filter(if descending {
            id.gt(before)
        } else {
            id.lt(before)
        });
    }
    let backwards = page.backwards();
    let ascending_query = descending == backwards;
    select = if ascending_query {
        select.order_by_asc(id)
    } else {
        select.order_by_desc(id)
    };
    let mut items = select.limit(size + 1).all(db).await?;
    let more = items.len() as u64 > size;
    items.truncate(size as usize);
    if backwards {
        items.reverse();
    }
    Ok(Page {
        items,
        has_previous_page: if backwards {
            more
        } else {
            page.after.is_some()
        },
        has_next_page: if backwards {
            page.before.is_some()
        } else {
            more
        },
        counted,
    })
}
