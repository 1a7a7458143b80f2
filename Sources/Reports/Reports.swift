// placeholder: module Reports
