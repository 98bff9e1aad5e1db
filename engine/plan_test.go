package engine

import (
	"reflect"
	"testing"
)

func TestExecutionOrderRunsInPassesOverGraphOrder(t *testing.T) {
	// Graph order: 1 waits for 3, 2 for nothing, 3 for 2, 4 for 1.
	// Pass one runs 2 then 3 (3 comes after 2 in the list); pass two
	// runs 1 then 4.
	p := &Plan{Actions: []Action{
		{ID: 1, After: []int{3}}, {ID: 2}, {ID: 3, After: []int{2}}, {ID: 4, After: []int{1}},
	}}
	var got []int
	for _, a := range p.ExecutionOrder() {
		got = append(got, a.ID)
	}
	if want := []int{2, 3, 1, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestExecutionOrderLeavesCyclesOut(t *testing.T) {
	p := &Plan{Actions: []Action{{ID: 1, After: []int{2}}, {ID: 2, After: []int{1}}, {ID: 3}}}
	if got := p.ExecutionOrder(); len(got) != 1 || got[0].ID != 3 {
		t.Errorf("got %v, want only action 3", got)
	}
}

func TestRunnableLooksThroughPseudoActions(t *testing.T) {
	p := &Plan{Actions: []Action{
		{ID: 1, Task: "start", Pseudo: true},                    // g_start: nothing before it
		{ID: 2, Task: "start", After: []int{1}},                 // member start: runnable
		{ID: 3, Task: "running", Pseudo: true, After: []int{2}}, // waits for a real action
		{ID: 4, Task: "start", After: []int{3}},                 // so this is not runnable yet
		{ID: 5, Task: "stop", After: []int{6}},                  // waits for a cycle
		{ID: 6, Task: "x", Pseudo: true, After: []int{5}},
	}}
	var got []int
	for _, a := range p.Runnable() {
		got = append(got, a.ID)
	}
	if want := []int{2}; !reflect.DeepEqual(got, want) {
		t.Errorf("runnable %v, want %v", got, want)
	}
}
