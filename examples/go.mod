module github.com/tenantgate/tenantgate/examples

go 1.26.0

replace github.com/tenantgate/tenantgate => ../
