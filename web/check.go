package web

import (
	"context"
	"fmt"
)

// CheckHealth implements health.Checker: it fails while the container has
// no listener open (before Initialize, and once Run has drained), so that
// the health module counts a container that is not listening as not ready.
// [Service] has it too.
func (c *Container) CheckHealth(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lns) == 0 {
		return fmt.Errorf("web container [%s] is not listening", c.set.section)
	}
	return nil
}
