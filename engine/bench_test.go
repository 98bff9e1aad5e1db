package engine

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/bench/synthetic"
	"github.com/pacer-ha/pacer/cib"
)

// BenchmarkSchedule measures parsing a CIB and scheduling it, on the
// synthetic clusters of bench/ (16 nodes; cold start and steady state).
// bench/scheduler.sh measures the whole crm_simulate process instead.
func BenchmarkSchedule(b *testing.B) {
	for _, n := range []int{500, 2000, 10000} {
		for _, steady := range []bool{false, true} {
			state := "cold"
			if steady {
				state = "steady"
			}
			b.Run(fmt.Sprintf("%d-%s", n, state), func(b *testing.B) {
				if n > 2000 && testing.Short() {
					b.Skip("large cluster skipped in -short")
				}
				var buf bytes.Buffer
				if err := synthetic.Write(&buf, 16, n, steady); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c, err := cib.Parse(buf.Bytes())
					if err != nil {
						b.Fatal(err)
					}
					plan, err := Schedule(Input{CIB: c, Now: time.Unix(1700000000, 0)})
					if err != nil {
						b.Fatal(err)
					}
					if !steady && len(plan.Actions) < n {
						b.Fatalf("cold start planned %d actions for %d resources", len(plan.Actions), n)
					}
					if steady && len(plan.Actions) > 0 {
						b.Fatalf("steady state planned %d actions", len(plan.Actions))
					}
				}
			})
		}
	}
}
