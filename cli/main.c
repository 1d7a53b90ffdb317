// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* placeholder */
#include <stdio.h>
int main(void)
{
	printf("flap-recorder\n");
	return 0;
}
