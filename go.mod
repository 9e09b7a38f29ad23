module github.com/virtsh/virtsh

go 1.26.8
