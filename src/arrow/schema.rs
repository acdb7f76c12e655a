//! The Arrow schema of each shape. The builders take their data types from
//! here, so a batch always matches the schema announced before any record is read.

use super::Shape;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use std::sync::Arc;

/// A value column's type: `Utf8`, or `Binary` when `binary`.
pub(crate) fn text(binary: bool) -> DataType {
    if binary {
        DataType::Binary
    } else {
        DataType::Utf8
    }
}

/// `list<item: T>`, the item not null.
fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, false)))
}

/// A subfield: `struct<code: utf8, value: utf8|binary>`.
pub(crate) fn subfield_fields(binary: bool) -> Fields {
    Fields::from(vec![
        Field::new("code", DataType::Utf8, false),
        Field::new("value", text(binary), false),
    ])
}

/// A field: `struct<tag, ind1, ind2, data, subfields>`: `data` for a control
/// field only, indicators and subfields for a data field only.
pub(crate) fn field_fields(binary: bool) -> Fields {
    Fields::from(vec![
        Field::new("tag", DataType::Utf8, false),
        Field::new("ind1", DataType::Utf8, true),
        Field::new("ind2", DataType::Utf8, true),
        Field::new("data", text(binary), true),
        Field::new(
            "subfields",
            list_of(DataType::Struct(subfield_fields(binary))),
            true,
        ),
    ])
}

/// The `fields` column's item field, shared by the schema and the builder.
pub(crate) fn fields_item(binary: bool) -> Arc<Field> {
    Arc::new(Field::new(
        "item",
        DataType::Struct(field_fields(binary)),
        false,
    ))
}

/// The `subfields` list's item field.
pub(crate) fn subfields_item(binary: bool) -> Arc<Field> {
    Arc::new(Field::new(
        "item",
        DataType::Struct(subfield_fields(binary)),
        false,
    ))
}

/// A wide column's list item field.
pub(crate) fn values_item(binary: bool) -> Arc<Field> {
    Arc::new(Field::new("item", text(binary), false))
}

/// The schema of batches of `shape`.
pub(crate) fn schema(shape: &Shape, binary: bool, raw: bool) -> SchemaRef {
    let fields = match shape {
        Shape::Records => {
            let mut fields = vec![
                Field::new("record_index", DataType::Int64, false),
                Field::new("byte_offset", DataType::Int64, false),
                Field::new("leader", text(binary), true),
                Field::new("control_number", text(binary), true),
                Field::new("fields", DataType::List(fields_item(binary)), true),
            ];
            if raw {
                fields.push(Field::new("raw", DataType::Binary, false));
            }
            fields
        }
        Shape::Subfields => vec![
            Field::new("record_index", DataType::Int64, false),
            Field::new("control_number", text(binary), true),
            Field::new("field_index", DataType::Int32, false),
            Field::new("tag", DataType::Utf8, false),
            Field::new("ind1", DataType::Utf8, true),
            Field::new("ind2", DataType::Utf8, true),
            Field::new("subfield_index", DataType::Int32, true),
            Field::new("code", DataType::Utf8, true),
            Field::new("value", text(binary), false),
        ],
        Shape::Columns { columns, first } => columns
            .iter()
            .map(|(name, spec)| {
                if *first || spec.is_single() {
                    Field::new(name, text(binary), true)
                } else {
                    Field::new(name, DataType::List(values_item(binary)), true)
                }
            })
            .collect(),
    };
    Arc::new(Schema::new(fields))
}
