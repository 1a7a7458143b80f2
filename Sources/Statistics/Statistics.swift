// placeholder: module Statistics
