#!/usr/bin/env python
from yanglao.manage import main

if __name__ == "__main__":
    main()
