// Command hello is the baseline of the harness's start-to-exit comparison: a
// plain Go program that prints and exits, against examples/hello.
package main

import "fmt"

func main() { fmt.Println("Hello world!") }
