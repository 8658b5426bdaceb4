package firestore

import (
	"reflect"
	"testing"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"github.com/roomgate/roomgate/emulator/rules"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func TestToRulesQuery(t *testing.T) {
	parent := "projects/p/databases/(default)/documents/rooms/r1"
	q := &firestorepb.StructuredQuery{
		From: from("messages", false),
		Where: cf(AND,
			ff("author", EQ, vStr("alice")),
			cf(OR, ff("`tag x`", IN, vArr(vStr("a"), vInt(2))), uf("gone", ISNUL)),
			ff("__name__", GT, vRef("projects/p/databases/(default)/documents/rooms/r1/messages/m0")),
			ff("`simple`.b", ACA, vArr(vRef("projects/p/databases/(default)/documents/u/x"))),
		),
		OrderBy: []*firestorepb.StructuredQuery_Order{ord("sent", true), ord("__name__", false)},
		Offset:  3,
		Limit:   wrapperspb.Int32(25),
	}
	if _, err := compileQuery(parent, q); err != nil {
		t.Fatal(err)
	}
	got := toRulesQuery(parent, q)
	limit := int64(25)
	want := &rules.Query{
		Parent:       "/databases/(default)/documents/rooms/r1",
		CollectionID: "messages",
		Where: &rules.Filter{Op: rules.FilterAnd, Filters: []rules.Filter{
			{Op: rules.OpEqual, Field: "author", Value: "alice"},
			{Op: rules.FilterOr, Filters: []rules.Filter{
				{Op: rules.OpIn, Field: "`tag x`", Value: []any{"a", int64(2)}},
				{Op: rules.OpIsNull, Field: "gone"},
			}},
			{Op: rules.OpGreater, Field: "__name__", Value: rules.Reference("/databases/(default)/documents/rooms/r1/messages/m0")},
			{Op: rules.OpArrayContainsAny, Field: "simple.b", Value: []any{rules.Reference("/databases/(default)/documents/u/x")}},
		}},
		OrderBy: []rules.Order{{Field: "sent", Descending: true}, {Field: "__name__"}},
		Limit:   &limit,
		Offset:  3,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("toRulesQuery =\n%#v\nwant\n%#v", got, want)
	}

	cg := toRulesQuery("projects/p/databases/(default)/documents", &firestorepb.StructuredQuery{From: from("messages", true)})
	if cg.Parent != "/databases/(default)/documents" || !cg.AllDescendants || cg.Where != nil || cg.Limit != nil {
		t.Errorf("collection group = %#v", cg)
	}
}
