package indexingjobs

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// TestHashSetHoldsEachHashOnce: a hash is new once, then held, across the
// table's growth, 0 and the largest hash included (0 is kept as 1).
func TestHashSetHoldsEachHashOnce(t *testing.T) {
	var s hashSet
	const n = 10_000
	for i := range uint64(n) {
		if !s.add(i*0x9e3779b97f4a7c15 + 2) {
			t.Fatalf("hash %d of %d was held before it was added", i, n)
		}
	}
	for i := range uint64(n) {
		if s.add(i*0x9e3779b97f4a7c15 + 2) {
			t.Fatalf("hash %d of %d was not held", i, n)
		}
	}
	for _, h := range []uint64{0, math.MaxUint64} {
		if !s.add(h) || s.add(h) {
			t.Errorf("hash %#x: new once, then held", h)
		}
	}
	if 4*s.n > 3*len(s.slots) {
		t.Errorf("%d hashes in %d slots: more than three-quarters full", s.n, len(s.slots))
	}
}

// BenchmarkListMemoryPerItem: what a whole list holds, once its last item
// is yielded, to yield no item twice (B/item held), and what it allocated
// on the way (B/item allocated: the map's tables as it grew), in bytes an
// item yielded, over lists of a thousand to a million items in pages of
// MaxPerPage (the pages themselves are reused, not counted).
func BenchmarkListMemoryPerItem(b *testing.B) {
	type item struct{ uuid string }
	list := listOf[item]{noun: "item", id: func(it *item) string { return it.uuid }}
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		}
		pages := pagesFor(n, MaxPerPage)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			buf := make([]item, MaxPerPage)
			var before, last, after runtime.MemStats
			var allocated, held uint64
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				yielded := 0
				for _, err := range list.all(MaxPerPage, func(page int) ([]item, pageMeta, error) {
					from := (page - 1) * MaxPerPage
					items := buf[:min(MaxPerPage, n-from)]
					for i := range items {
						items[i].uuid = ids[from+i]
					}
					return items, pageMeta{page: page, pages: pages, total: n}, nil
				}) {
					if err != nil {
						b.Fatal(err)
					}
					if yielded++; yielded == n { // the list still holds what it keeps
						runtime.GC()
						runtime.ReadMemStats(&last)
					}
				}
				runtime.ReadMemStats(&after)
				if yielded != n {
					b.Fatalf("%d items yielded of %d", yielded, n)
				}
				allocated += after.TotalAlloc - before.TotalAlloc
				held += last.HeapAlloc - min(last.HeapAlloc, before.HeapAlloc)
			}
			b.ReportMetric(float64(held)/float64(b.N)/float64(n), "B/item_held")
			b.ReportMetric(float64(allocated)/float64(b.N)/float64(n), "B/item_allocated")
		})
	}
}
