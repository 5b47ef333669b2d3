module observability-platform/tools/engine/embedjson

go 1.24
