import DHIS2
