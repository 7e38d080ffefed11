ALTER TABLE `orders` ADD COLUMN `note` varchar(255) NULL;
